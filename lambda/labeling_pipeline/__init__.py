"""Continuous Ground Truth labeling: the Lambda functions behind the pipeline's state machine.

Items move from the upload queue into a DynamoDB ledger (``claim_batch``), through a labeling job and an
optional review job (``start_job``, ``check_job``, ``collect_results``) into the Feature Store
(``write_features``); whatever is not labeled goes back to the queue or, after ``max_attempts``, to the
dead-letter queue with every reason (``return_items``). ``handlers`` holds the six entry points.
"""
