/**
 * A binary min-heap of `(at, key, seq)` entries with lazy deletion: callers push a new entry
 * whenever a key's time changes and treat entries whose `seq` is stale as absent. This keeps every
 * update O(log n) without a position index, which matters when 100,000 jobs fire in one second.
 *
 * Entries are kept in three parallel arrays, not as objects: pushing allocates nothing (an entry
 * object per fire was garbage at 100,000 fires a second), and sifting compares times that sit next
 * to each other in memory. Sifting moves a hole instead of swapping pairs.
 */
export interface HeapEntry<K = string> {
  at: number;
  /** What the entry is for: an id, or the object itself (which saves a lookup when it is popped). */
  key: K;
  /** Increases with every push: the tie-breaker that keeps equal times in push order. */
  seq: number;
}

export class MinHeap<K = string> {
  readonly #at: number[] = [];
  readonly #seq: number[] = [];
  readonly #key: K[] = [];

  get size(): number {
    return this.#at.length;
  }

  /** Adds an entry. */
  add(at: number, key: K, seq: number): void {
    const ats = this.#at;
    const seqs = this.#seq;
    const keys = this.#key;
    let i = ats.length;
    ats.push(at);
    seqs.push(seq);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pAt = ats[parent]!;
      if (!(at < pAt || (at === pAt && seq < seqs[parent]!))) break;
      ats[i] = pAt;
      seqs[i] = seqs[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    keys[i] = key;
  }

  /** The earliest entry's time, key and seq (undefined when empty). */
  topAt(): number | undefined {
    return this.#at[0];
  }

  topKey(): K | undefined {
    return this.#key[0];
  }

  topSeq(): number | undefined {
    return this.#seq[0];
  }

  /** Removes the earliest entry. */
  removeTop(): void {
    const ats = this.#at;
    const seqs = this.#seq;
    const keys = this.#key;
    const lastAt = ats.pop();
    const lastSeq = seqs.pop()!;
    const lastKey = keys.pop()!;
    const n = ats.length;
    if (n === 0 || lastAt === undefined) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n) {
        const rAt = ats[r]!;
        const lAt = ats[l]!;
        if (rAt < lAt || (rAt === lAt && seqs[r]! < seqs[l]!)) child = r;
      }
      const cAt = ats[child]!;
      if (!(cAt < lastAt || (cAt === lastAt && seqs[child]! < lastSeq))) break;
      ats[i] = cAt;
      seqs[i] = seqs[child]!;
      keys[i] = keys[child]!;
      i = child;
    }
    ats[i] = lastAt;
    seqs[i] = lastSeq;
    keys[i] = lastKey;
  }

  /** {@link add} with an entry object. */
  push(entry: HeapEntry<K>): void {
    this.add(entry.at, entry.key, entry.seq);
  }

  /** The earliest entry, as a new object (the firing path uses {@link topAt} and friends). */
  peek(): HeapEntry<K> | undefined {
    const at = this.#at[0];
    return at === undefined ? undefined : { at, key: this.#key[0]!, seq: this.#seq[0]! };
  }

  /** Removes and returns the earliest entry. */
  pop(): HeapEntry<K> | undefined {
    const top = this.peek();
    if (top) this.removeTop();
    return top;
  }

  clear(): void {
    this.#at.length = 0;
    this.#seq.length = 0;
    this.#key.length = 0;
  }
}
