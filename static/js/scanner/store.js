// This device's scanner data in IndexedDB, one database per forum (named by its bundle's URL):
// the last bundle, the queue of scans not yet answered by the server, and this device's own
// admitted scans (so that a badge shown twice while offline is caught).
const VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = transaction.onerror = () => reject(transaction.error);
  });
}

export async function openStore(name) {
  const request = indexedDB.open("planner-scanner " + name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore("bundle");
    db.createObjectStore("queue", { keyPath: "id" });
    db.createObjectStore("arrivals", { keyPath: "key" });
  };
  return new Store(await promised(request));
}

class Store {
  constructor(db) {
    this.db = db;
  }

  // {bundle, fetchedAt (ISO 8601)}, or null before the first one.
  async bundle() {
    const transaction = this.db.transaction("bundle");
    return (await promised(transaction.objectStore("bundle").get("current"))) || null;
  }

  async keepBundle(bundle, fetchedAt) {
    const transaction = this.db.transaction("bundle", "readwrite");
    transaction.objectStore("bundle").put({ bundle, fetchedAt }, "current");
    await done(transaction);
  }

  async forgetBundle() {
    const transaction = this.db.transaction("bundle", "readwrite");
    transaction.objectStore("bundle").delete("current");
    await done(transaction);
  }

  // A scan and, when the page admitted it, its arrival: in one transaction, so that neither is
  // kept without the other.
  async queueScan(scan, arrival) {
    const transaction = this.db.transaction(["queue", "arrivals"], "readwrite");
    transaction.objectStore("queue").put(scan);
    if (arrival) this._keepArrival(transaction, arrival);
    await done(transaction);
  }

  async queued(limit) {
    const transaction = this.db.transaction("queue");
    const scans = await promised(transaction.objectStore("queue").getAll());
    scans.sort((a, b) => a.queued - b.queued);
    return limit === undefined ? scans : scans.slice(0, limit);
  }

  async queueLength() {
    const transaction = this.db.transaction("queue");
    return promised(transaction.objectStore("queue").count());
  }

  // The server answered these scans: off the queue; the first arrivals it named kept.
  async answered(ids, arrivals) {
    const transaction = this.db.transaction(["queue", "arrivals"], "readwrite");
    for (const id of ids) transaction.objectStore("queue").delete(id);
    for (const arrival of arrivals) this._keepArrival(transaction, arrival);
    await done(transaction);
  }

  // The server refused this scan alone as malformed: kept, marked, not sent again.
  async refuse(id, error) {
    const transaction = this.db.transaction("queue", "readwrite");
    const store = transaction.objectStore("queue");
    const request = store.get(id);
    request.onsuccess = () => {
      if (request.result) store.put({ ...request.result, refused: error });
    };
    await done(transaction);
  }

  async arrivals() {
    const transaction = this.db.transaction("arrivals");
    return promised(transaction.objectStore("arrivals").getAll());
  }

  _keepArrival(transaction, { badge, zone, at }) {
    const store = transaction.objectStore("arrivals");
    const key = badge + ":" + zone;
    const request = store.get(key);
    request.onsuccess = () => {
      const known = request.result;
      if (!known || Date.parse(at) < Date.parse(known.at)) store.put({ key, badge, zone, at });
    };
  }
}
