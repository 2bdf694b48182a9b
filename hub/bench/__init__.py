"""``hub bench``: throughput, latency and cost of the hub against a raw aio-pika relay."""
