FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir ".[node]"
ENV IPFED_HTTP_HOST=0.0.0.0
ENTRYPOINT ["sh", "-c", "[ -f \"$IPFED_DATA_DIR/node.toml\" ] || ipfed node init -d \"$IPFED_DATA_DIR\" $IPFED_INIT_ARGS; exec ipfed node run -d \"$IPFED_DATA_DIR\""]
