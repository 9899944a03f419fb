"""The fare cache: encoded search answers in an in-process L1 and Redis (L2).

`FareCache` is the port (`memory.InMemoryFareCache`, `redis.RedisFareCache`,
`tiered.TieredFareCache`); `read_through.ReadThroughCache` adds single-flight loading and
stale-while-revalidate on top. The package stores bytes and knows nothing of searches: callers
build the key (`keys.fare_key`) and the entry (`model.FareEntry`).
"""
