/** Which requests a hold catches: by method, URL (path and query) and body (text; empty for a GET). */
export type RequestMatch = (method: string, url: URL, body: string) => boolean;

/** Requests the simulator keeps waiting, unanswered, until the test lets them go. */
export interface Hold {
  /** Resolves when the first request the hold catches has arrived. */
  arrived: Promise<void>;
  /** Answers the requests held, and lets later ones through. */
  release(): void;
}

interface Held {
  match: RequestMatch;
  gate: Promise<void>;
  open: () => void;
  arrive: () => void;
}

/**
 * Holds for tests that must act at a known point of a client's read (while a run has read some
 * windows and not the rest): a request caught waits before it is answered, so its answer is the
 * account as it is at the release.
 */
export class RequestHolds {
  private readonly holds = new Set<Held>();

  hold(match: RequestMatch): Hold {
    let open = () => {};
    let arrive = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const arrived = new Promise<void>((r) => (arrive = r));
    const held: Held = { match, gate, open, arrive };
    this.holds.add(held);
    return {
      arrived,
      release: () => {
        this.holds.delete(held);
        open();
      },
    };
  }

  /** Waits while a hold catches this request. */
  async pass(method: string, url: URL, body: string): Promise<void> {
    for (const h of [...this.holds]) {
      if (!h.match(method, url, body)) continue;
      h.arrive();
      await h.gate;
    }
  }

  releaseAll(): void {
    for (const h of this.holds) h.open();
    this.holds.clear();
  }
}
