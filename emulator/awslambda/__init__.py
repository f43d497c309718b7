"""AWS Lambda: Python functions run in local subprocesses.

Named ``awslambda`` as in moto, ``lambda`` being a keyword.
"""
