/**
 * The port through which a host hands emitted events to the bus. The host
 * only knows this interface; the NATS and in-process buses implement it.
 */
import type { NsEvent } from './types.ts';

export interface Publisher {
  /**
   * Publishes one validated event; resolves once the bus has accepted it. The
   * resolved value is ignored, so a `Bus` (which returns a PublishResult) fits.
   */
  publish(event: NsEvent): Promise<unknown>;
}
