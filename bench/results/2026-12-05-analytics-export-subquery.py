import resource, tempfile, time, statistics
import analytics.store as st, analytics.hits as hits
from analytics.rows import empty_rows, usage_rows
from kernel.usage import HitsEvent, SearchEvent, SliceUsage, encode_usage
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
SUB = "(SELECT open FROM parquet_parts)"
variants = {
  "subquery": (dict(st._INSERTS), dict(hits.INSERTS)),
  "select+constant": ({k: v.replace(SUB, "1") for k, v in st._INSERTS.items()}, {k: v.replace(SUB, "1") for k, v in hits.INSERTS.items()}),
  "constant": ({k: v.replace(SUB, "1") for k, v in st._INSERTS.items()}, {k: v.replace(SUB, "1") for k, v in hits.INSERTS.items()}),
}
search = SearchEvent(at=0.0, channel="get", offers=40, cheapest_amount="123.45", currency="GBP", took_ms=0, cache="hit",
    slices=(SliceUsage(origin="LHR", destination="JFK", departure_date="2027-01-03"),))
res = {k: [] for k in variants}
entry = 0; now = time.time()
for turn in range(6):
    for name, (ins, hins) in variants.items():
        st._INSERTS.clear(); st._INSERTS.update(ins); hits.INSERTS.clear(); hits.INSERTS.update(hins)
        store = st.AnalyticsStore(tempfile.mkdtemp()); store.hold()
        t = cpu()
        for _ in range(100):
            entry += 1
            rows = empty_rows()
            usage_rows("u", f"{entry}-0", encode_usage(HitsEvent(search=search, at=(now + entry,), took_ms=(0,))), rows)
            if name == "select+constant":
                store.db.execute("SELECT open FROM parquet_parts").fetchall()
            store.load(rows, {"u": f"{entry}-0"})
        res[name].append((cpu() - t) / 100 * 1e3)
        store.release()
print({k: (round(statistics.median(v), 3), [round(x, 2) for x in v]) for k, v in res.items()})
