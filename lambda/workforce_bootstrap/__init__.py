"""Closes the loop between a SageMaker private workforce and its Cognito app client.

The workforce needs the app client to exist; the app client's callback and logout URLs need the
workforce's portal address, known only once the workforce exists. Terraform creates the client with
a placeholder URL, then invokes this function, which points the client (and the invitation email)
at the portal without touching any other setting.
"""
