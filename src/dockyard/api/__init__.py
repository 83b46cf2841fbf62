"""The HTTP shell: the Starlette app, SigV4 auth, the AWS wire protocols and the handlers."""
