"""The model server: Open Inference Protocol v2 (KServe), MLflow/SageMaker ``/invocations``,
Prometheus ``/metrics`` and input sampling, on Starlette and uvicorn.

Start it with ``python -m jupyter_mlver.serving --model-dir DIR``. It imports only the standard
library, starlette, uvicorn, prometheus-client, numpy (pandas when present) and the model's
flavour loader, so it runs in a serving image without Jupyter or IPython.
"""
