# Rendered by aml-triton-deploy: NVIDIA Triton serving the model repository that Azure ML mounts.
FROM {{base_image}}
EXPOSE 8000
CMD ["tritonserver", "--model-repository={{model_repository}}", "--http-port=8000"]
