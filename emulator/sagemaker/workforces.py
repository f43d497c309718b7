"""Private workforces and work teams (CreateWorkforce ... ListWorkteams) on moto's SageMaker backend."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends
from moto.sagemaker.exceptions import ResourceInUseException, ValidationError

from emulator.core import control
from emulator.sagemaker.exceptions import ResourceLimitExceeded
from emulator.sagemaker.models import GroundTruthState, Workforce, Workteam, state_of
from emulator.sagemaker.utils import name_contains, now, random_id, sagemaker_arn, sorted_page, with_token

MAX_SOURCE_CIDRS = 10
MAX_WORKTEAMS = 25
HEX = "0123456789abcdef"


def no_workforce(name: str) -> ValidationError:
    # The AWS provider recognises a deleted workforce by "No workforce" in this message.
    return ValidationError(f"No workforce found with name '{name}' in this account and region.")


def workforce_named(state: GroundTruthState, name: str) -> Workforce:
    workforce = state.workforces.get(name)
    if workforce is None:
        raise no_workforce(name)
    return workforce


def _check_cognito_config(backend: Any, config: Mapping[str, str]) -> None:
    cognito = cognitoidp_backends[backend.account_id][backend.region_name]
    pool = cognito.user_pools.get(config["UserPool"])
    if pool is None:
        raise ValidationError(f"The Cognito user pool {config['UserPool']} does not exist.")
    if config["ClientId"] not in pool.clients:
        raise ValidationError(
            f"The app client {config['ClientId']} does not exist in Cognito user pool {config['UserPool']}."
        )
    # AWS: Amazon SageMaker Developer Guide, "Create a Private Workforce (Amazon Cognito Console)"
    # ("User pools require a domain and an existing user group"),
    # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-workforce-create-private-cognito.html.
    # Assumption: CreateWorkforce answers a ValidationException, as for its other Cognito checks; the
    # guide gives no error text.
    if not any(domain.user_pool_id == pool.id for domain in cognito.user_pool_domains.values()):
        raise ValidationError(
            f"The Cognito user pool {pool.id} has no domain: create one with CreateUserPoolDomain before "
            "the workforce."
        )


def _check_source_ips(config: Mapping[str, Any]) -> dict[str, Any]:
    cidrs = list(config.get("Cidrs") or [])
    if len(cidrs) > MAX_SOURCE_CIDRS:
        raise ValidationError(
            f"1 validation error detected: Value '[{', '.join(cidrs)}]' at 'sourceIpConfig.cidrs' failed "
            f"to satisfy constraint: Member must have length less than or equal to {MAX_SOURCE_CIDRS}"
        )
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as error:
            raise ValidationError(f"Invalid CIDR {cidr!r} in SourceIpConfig: {error}") from error
    return {"Cidrs": cidrs}


def _vpc_config(
    config: Mapping[str, Any] | None, current: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    # An empty WorkforceVpcConfig (what the AWS provider sends when the block is removed)
    # detaches the workforce from its VPC.
    if not config:
        return None
    missing = [key for key in ("VpcId", "SecurityGroupIds", "Subnets") if not config.get(key)]
    if missing:
        raise ValidationError(f"WorkforceVpcConfig needs {', '.join(missing)} as well.")
    # The endpoint lives as long as the workforce stays in the same VPC.
    same_vpc = current is not None and current["VpcId"] == config["VpcId"]
    return {
        "VpcId": config["VpcId"],
        "SecurityGroupIds": list(config["SecurityGroupIds"]),
        "Subnets": list(config["Subnets"]),
        "VpcEndpointId": current["VpcEndpointId"] if same_vpc and current else "vpce-" + random_id(17, HEX),
    }


def create_workforce(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkforceName"]
    cognito, oidc = params.get("CognitoConfig"), params.get("OidcConfig")
    if (cognito is None) == (oidc is None):
        raise ValidationError("Specify exactly one of CognitoConfig and OidcConfig.")
    if cognito is not None:
        _check_cognito_config(backend, cognito)
    source_ips = _check_source_ips(params.get("SourceIpConfig") or {})
    vpc = _vpc_config(params.get("WorkforceVpcConfig"))
    state = state_of(backend)
    with state.lock:
        if state.workforces:
            existing = next(iter(state.workforces))
            raise ValidationError(
                f"A workforce already exists in this account and region ({existing}); you can create only "
                "one workforce per region. Delete it with DeleteWorkforce before creating another."
            )
        fault = control.take("workforce", workforce_name=name)
        workforce = Workforce(
            name=name,
            arn=sagemaker_arn(backend, f"workforce/{name}"),
            subdomain=f"{random_id(10)}.labeling.{backend.region_name}.sagemaker.aws",
            cognito_config=dict(cognito) if cognito else None,
            oidc_config=dict(oidc) if oidc else None,
            source_ip_config=source_ips,
            vpc_config=vpc,
            ip_address_type=params.get("IpAddressType") or "ipv4",
            tags=list(params.get("Tags") or []),
            initializing_describes=int(fault.get("describes", 1)) if fault else 0,
        )
        state.workforces[name] = workforce
    return {"WorkforceArn": workforce.arn}


def describe_workforce(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        workforce = workforce_named(state, params["WorkforceName"])
        view = workforce.view()
        workforce.initializing_describes = max(0, workforce.initializing_describes - 1)
    return {"Workforce": view}


def update_workforce(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        workforce = workforce_named(state, params["WorkforceName"])
        if "SourceIpConfig" in params:
            workforce.source_ip_config = _check_source_ips(params["SourceIpConfig"] or {})
        if params.get("OidcConfig") is not None:
            if workforce.oidc_config is None:
                raise ValidationError(
                    "OidcConfig can only be updated on a workforce created with OidcConfig."
                )
            if any(team.workforce_arn == workforce.arn for team in state.workteams.values()):
                raise ValidationError(
                    "The OIDC configuration of a workforce cannot change while it has work teams."
                )
            workforce.oidc_config = dict(params["OidcConfig"])
        if "WorkforceVpcConfig" in params:
            workforce.vpc_config = _vpc_config(params["WorkforceVpcConfig"], workforce.vpc_config)
        if params.get("IpAddressType"):
            workforce.ip_address_type = params["IpAddressType"]
        workforce.last_updated = now()
        return {"Workforce": workforce.view()}


def delete_workforce(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        workforce = workforce_named(state, params["WorkforceName"])
        teams = sorted(team.name for team in state.workteams.values() if team.workforce_arn == workforce.arn)
        if teams:
            raise ResourceInUseException(
                f"Workforce {workforce.name} cannot be deleted while it has work teams "
                f"({', '.join(teams)}). Delete the work teams first."
            )
        del state.workforces[workforce.name]
    return {}


def list_workforces(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        matching = [w for w in state.workforces.values() if name_contains(w.name, params)]
        page, token = sorted_page(
            matching, params, {"CreateDate": lambda w: w.created, "Name": lambda w: w.name}
        )
        return with_token({"Workforces": [w.view() for w in page]}, token)


def workteam_arn(backend: Any, name: str) -> str:
    return sagemaker_arn(backend, f"workteam/private-crowd/{name}")


def no_workteam(arn: str) -> ValidationError:
    # The AWS provider recognises a deleted work team by "The work team" in this message.
    return ValidationError(f"The work team {arn} does not exist.")


def workteam(backend: Any, state: GroundTruthState, name: str) -> Workteam:
    team = state.workteams.get(name)
    if team is None:
        raise no_workteam(workteam_arn(backend, name))
    return team


def _check_members(backend: Any, workforce: Workforce, members: list[dict[str, Any]]) -> None:
    cognito = [m["CognitoMemberDefinition"] for m in members if m.get("CognitoMemberDefinition")]
    oidc = [m["OidcMemberDefinition"] for m in members if m.get("OidcMemberDefinition")]
    if len(cognito) + len(oidc) != len(members) or (cognito and oidc):
        raise ValidationError(
            "Each member definition needs exactly one of CognitoMemberDefinition and "
            "OidcMemberDefinition, and all members of a team must be of the same kind."
        )
    if oidc and workforce.oidc_config is None:
        raise ValidationError(f"Workforce {workforce.name} uses Amazon Cognito: use CognitoMemberDefinition.")
    if not cognito:
        return
    if workforce.cognito_config is None:
        raise ValidationError(
            f"Workforce {workforce.name} uses an OIDC identity provider: use OidcMemberDefinition."
        )
    expected = (workforce.cognito_config["UserPool"], workforce.cognito_config["ClientId"])
    pool = cognitoidp_backends[backend.account_id][backend.region_name].user_pools.get(expected[0])
    for member in cognito:
        if (member["UserPool"], member["ClientId"]) != expected:
            raise ValidationError(
                f"Cognito members must use the workforce's user pool {expected[0]} and app client "
                f"{expected[1]}, not {member['UserPool']} / {member['ClientId']}."
            )
        if pool is None or member["UserGroup"] not in pool.groups:
            raise ValidationError(
                f"The user group {member['UserGroup']} does not exist in user pool {expected[0]}."
            )


def _team_workforce(state: GroundTruthState, name: str | None) -> Workforce:
    if name is not None:
        return workforce_named(state, name)
    if not state.workforces:
        raise ValidationError(
            "No workforce found in this account and region: create one with CreateWorkforce first."
        )
    return next(iter(state.workforces.values()))


def _notification(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(config) if config and config.get("NotificationTopicArn") else None


def create_workteam(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkteamName"]
    state = state_of(backend)
    with state.lock:
        workforce = _team_workforce(state, params.get("WorkforceName"))
        if name in state.workteams:
            raise ResourceInUseException(
                f"A work team named {name} already exists: {state.workteams[name].arn}."
            )
        if len(state.workteams) >= MAX_WORKTEAMS:
            raise ResourceLimitExceeded(
                f"You cannot create more than {MAX_WORKTEAMS} work teams in an account and region."
            )
        members = list(params["MemberDefinitions"])
        _check_members(backend, workforce, members)
        team = Workteam(
            name=name,
            arn=workteam_arn(backend, name),
            workforce_arn=workforce.arn,
            subdomain=workforce.subdomain,
            member_definitions=members,
            description=params["Description"],
            notification_configuration=_notification(params.get("NotificationConfiguration")),
            worker_access_configuration=params.get("WorkerAccessConfiguration") or None,
            tags=list(params.get("Tags") or []),
        )
        state.workteams[name] = team
    return {"WorkteamArn": team.arn}


def describe_workteam(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        return {"Workteam": workteam(backend, state, params["WorkteamName"]).view()}


def update_workteam(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        team = workteam(backend, state, params["WorkteamName"])
        if params.get("MemberDefinitions") is not None:
            workforce = next(w for w in state.workforces.values() if w.arn == team.workforce_arn)
            _check_members(backend, workforce, list(params["MemberDefinitions"]))
            team.member_definitions = list(params["MemberDefinitions"])
        if params.get("Description") is not None:
            team.description = params["Description"]
        if "NotificationConfiguration" in params:
            team.notification_configuration = _notification(params["NotificationConfiguration"])
        if "WorkerAccessConfiguration" in params:
            team.worker_access_configuration = params["WorkerAccessConfiguration"] or None
        team.last_updated = now()
        return {"Workteam": team.view()}


def delete_workteam(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        team = workteam(backend, state, params["WorkteamName"])
        del state.workteams[team.name]
    return {"Success": True}


def list_workteams(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    state = state_of(backend)
    with state.lock:
        matching = [t for t in state.workteams.values() if name_contains(t.name, params)]
        page, token = sorted_page(
            matching, params, {"CreateDate": lambda t: t.created, "Name": lambda t: t.name}
        )
        return with_token({"Workteams": [t.view() for t in page]}, token)
