/**
 * Group commit for one kind of store call. A call made while none of its kind is in flight goes out
 * at once (with the calls made in the same turn of the event loop); calls made while one is in flight
 * wait for it to answer and then go out together. At low load nothing waits; at high load one store
 * call carries many (the Redis store: one script per group of attempt starts or ends; the SQLite
 * store: one transaction per group of run writes).
 *
 * Each call keeps its own answer: the sender answers an array in item order, where an Error rejects
 * that call only. A sender that fails as a whole (the connection, say) rejects every call it carried.
 */
export class GroupCommit<I, R> {
  readonly #send: (items: I[]) => Promise<Array<R | Error>>;
  readonly #maxBatch: number;
  #waiting: Array<{ item: I; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  #inFlight = false;
  #scheduled = false;

  /** `send` carries a batch of at most `maxBatch` items. */
  constructor(send: (items: I[]) => Promise<Array<R | Error>>, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`maxBatch must be a positive integer, not ${maxBatch}.`);
    this.#send = send;
    this.#maxBatch = maxBatch;
  }

  /** How many calls wait for the one in flight. */
  get waiting(): number {
    return this.#waiting.length;
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#inFlight && !this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    if (this.#inFlight || this.#waiting.length === 0) return;
    const batch = this.#waiting.splice(0, this.#maxBatch);
    this.#inFlight = true;
    new Promise<Array<R | Error>>((resolve) => resolve(this.#send(batch.map((call) => call.item))))
      .then(
        (results) => {
          for (let i = 0; i < batch.length; i++) {
            const result = results[i];
            if (result instanceof Error) batch[i]!.reject(result);
            else if (i < results.length) batch[i]!.resolve(result as R);
            else
              batch[i]!.reject(
                new Error(`A batch of ${batch.length} calls was answered ${results.length} times.`),
              );
          }
        },
        (error: unknown) => {
          for (const call of batch) call.reject(error);
        },
      )
      .finally(() => {
        this.#inFlight = false;
        this.#flush();
      });
  }
}
