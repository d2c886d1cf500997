/**
 * A first-in first-out list over an array and a head index: taking from the front costs nothing
 * (`Array.prototype.shift` copies the rest), and the part already taken is dropped once it is most
 * of the array. The local executor keeps its waiting runs and its finished runs to record in these.
 */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Takes the oldest item. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head++]!;
    this.#compact();
    return item;
  }

  /** Takes up to `count` of the oldest items, oldest first. */
  take(count: number): T[] {
    const end = Math.min(this.#items.length, this.#head + count);
    const out = this.#items.slice(this.#head, end);
    this.#head = end;
    this.#compact();
    return out;
  }

  /** Takes every item. */
  drain(): T[] {
    return this.take(this.length);
  }

  /** Takes the oldest item that `matches`, wherever it is. */
  remove(matches: (item: T) => boolean): T | undefined {
    for (let i = this.#head; i < this.#items.length; i++) {
      if (matches(this.#items[i]!)) return this.#items.splice(i, 1)[0];
    }
    return undefined;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i]!;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
