FROM python:3.11-slim
WORKDIR /app
# Chinese glyphs for the charts of reports and consolidated filings
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-cache-dir ".[node]"
ENV IPFED_HTTP_HOST=0.0.0.0
ENTRYPOINT ["sh", "-c", "[ -f \"$IPFED_DATA_DIR/node.toml\" ] || ipfed node init -d \"$IPFED_DATA_DIR\" $IPFED_INIT_ARGS; exec ipfed node run -d \"$IPFED_DATA_DIR\""]
