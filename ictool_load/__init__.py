"""ictool's load tools, apart from the product: `ictool bench` (latency and broadcast cost),
`ictool soak` (alerts under faults), what they share (`loadkit`: a real server process,
many asyncio Socket.IO clients, percentiles) and the benchmark's server (`benchserver`: the
product's, plus the one event only the benchmark uses). They need the test extra
(`pip install 'ictool[test]'`); the product (`ictool`) never imports them.
"""
