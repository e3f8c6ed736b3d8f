import type { EventName, EventPayloads } from '../../native/api/events.js';
import type { JobData } from '../../native/api/types.js';

/** One event an Engine emitted, as a test's callback records it. */
export interface RecordedEvent {
  name: EventName;
  payload: EventPayloads[EventName];
}

/** The job.data payloads of job `jobId` among `events`, in the order the engine sent them. */
export function jobDataSent(events: readonly RecordedEvent[], jobId: string): JobData[] {
  return events
    .filter((e) => e.name === 'job.data')
    .map((e) => e.payload as JobData)
    .filter((d) => d.jobId === jobId);
}
