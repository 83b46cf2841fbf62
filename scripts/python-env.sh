# Sourced by the other scripts: picks the Python that Dockyard is installed into.
# A project virtualenv (.venv, made by install.sh where the system Python is "externally
# managed", PEP 668) wins; otherwise $PYTHON or python3 (e.g. pyenv's).
if [ -x .venv/bin/python ]; then
  PY="$PWD/.venv/bin/python"
  export PATH="$PWD/.venv/bin:$PATH"
else
  PY=${PYTHON:-python3}
fi
