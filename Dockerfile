# The messbar image for docker-compose.yml: Airflow 3 with the project installed from uv.lock.
FROM apache/airflow:3.3.2-python3.11

USER root
COPY --chown=airflow:root . /opt/messbar
# mount points of the data volumes: a fresh named volume takes this owner (the airflow user)
RUN mkdir -p /opt/messbar/data/published /opt/messbar/inputs \
 && chown -R airflow:root /opt/messbar/data /opt/messbar/inputs
USER airflow
WORKDIR /opt/messbar
# Install exactly the locked versions (the same set CI tests), then the project itself.
RUN pip install --no-cache-dir uv \
 && uv export --frozen --no-dev --no-hashes --no-emit-project -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && pip install --no-cache-dir --no-deps -e .
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/messbar/dags \
    MESSBAR_CONFIG=/opt/messbar/messbar.yml \
    MESSBAR_DATA_DIR=/opt/messbar/data
