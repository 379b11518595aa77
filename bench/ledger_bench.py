"""Merkle proof figures: inclusion-proof generation on a 1,000,000-entry log and
proof verifications per second (targets: <= 1 ms, >= 50,000/s).

    python bench/ledger_bench.py [--entries 1000000]

The tree is the in-memory one holding every complete subtree's hash; the
stored log serves proofs from the same layout. The last line printed is a
JSON object of the figures.
"""

import argparse
import json
import random
import time

from ipfed.ledger.merkle import MemoryTree, leaf_hash, verify_consistency, verify_inclusion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(1)

    tree = MemoryTree()
    started = time.perf_counter()
    for i in range(args.entries):
        tree.append(leaf_hash(i.to_bytes(8, "big")))
    build_s = time.perf_counter() - started
    size, root = tree.size, tree.root()
    print(f"built a {size:,}-entry tree in {build_s:.1f} s")

    indexes = [rng.randrange(size) for _ in range(args.samples)]
    started = time.perf_counter()
    proofs = [tree.inclusion_proof(i) for i in indexes]
    proof_ms = (time.perf_counter() - started) / args.samples * 1000

    leaves = tree.levels[0]
    started = time.perf_counter()
    for index, proof in zip(indexes, proofs, strict=True):
        verify_inclusion(index, size, leaves[index], proof, root)
    inclusion_per_s = args.samples / (time.perf_counter() - started)

    olds = [rng.randrange(1, size) for _ in range(args.samples // 4)]
    pairs = [(old, tree.root(old), tree.consistency_proof(old)) for old in olds]
    started = time.perf_counter()
    for old, old_root, proof in pairs:
        verify_consistency(old, size, old_root, root, proof)
    consistency_per_s = len(pairs) / (time.perf_counter() - started)

    print(f"inclusion proof:         {proof_ms:.4f} ms each")
    print(f"inclusion verification:  {inclusion_per_s:,.0f} /s")
    print(f"consistency verification:{consistency_per_s:,.0f} /s")
    print(
        json.dumps(
            {
                "entries": size,
                "tree_build_s": round(build_s, 2),
                "inclusion_proof_ms": round(proof_ms, 4),
                "inclusion_verifications_per_s": round(inclusion_per_s),
                "consistency_verifications_per_s": round(consistency_per_s),
            }
        )
    )


if __name__ == "__main__":
    main()
