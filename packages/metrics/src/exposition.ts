/** Content type of the Prometheus text exposition format (for servers that serve `/metrics` themselves). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
