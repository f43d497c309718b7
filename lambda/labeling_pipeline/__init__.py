"""Continuous Ground Truth labeling: the Lambda functions behind the pipeline's state machine.

Items move from the upload queue into a DynamoDB ledger (``claim_batch``), through a labeling job and an
optional review job (``start_job``, ``check_job``, ``collect_results``) into the Feature Store
(``write_features``); whatever is not labeled goes back to the queue or, after ``max_attempts``, to the
dead-letter queue with every reason (``return_items``). ``handlers`` holds the entry points, ``model`` the
types they share (items, labels, stages, the payloads between steps).

By step: ``messages`` and ``sources`` (what is on the queue, the items in an upload), ``claim`` and
``ledger`` (claiming), ``jobs`` (the label job), ``collect`` and ``job_output`` (a job's output),
``features`` (the write), ``finish``, ``settle`` and ``returns`` (ending a batch). Each file format has one
module that writes and reads it: ``manifests``, ``chunks``, ``reasons`` (over ``jsonlines``); ``layout``
says where they live.
"""
