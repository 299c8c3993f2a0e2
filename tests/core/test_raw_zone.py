"""The raw zone under concurrent writers (the API flow stores responses from several threads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flows.core import raw_zone
from flows.core.warehouse import Warehouse


def test_identical_bytes_from_many_threads_under_different_keys(warehouse: Warehouse) -> None:
    body = b'{"Results": [], "TotalResultCount": 0, "pad": "' + b"x" * 2_000_000 + b'"}'

    def store(i: int) -> bool:
        _, is_new = raw_zone.store(
            warehouse, "hansard_api", body, f"http://127.0.0.1/x?day={i}", key=f"GET /x?day={i}"
        )
        return is_new

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(store, range(64)))
    assert all(results)
    entries = raw_zone.entries(warehouse, "hansard_api")
    assert len(entries) == 64 and len({e.raw_sha256 for e in entries}) == 1
    assert raw_zone.read_bytes(warehouse, entries[0]) == body
    assert not list(warehouse.raw.rglob("*.tmp"))


def test_same_key_and_bytes_again_is_a_no_op(warehouse: Warehouse) -> None:
    first, new = raw_zone.store(warehouse, "hansard_api", b"{}", "u", key="GET /x")
    again, new_again = raw_zone.store(warehouse, "hansard_api", b"{}", "u", key="GET /x")
    assert (new, new_again) == (True, False) and again == first
