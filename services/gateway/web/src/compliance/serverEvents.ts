import { ApiError } from "../api/errors";
import { session } from "../auth/session";

export interface ServerEvent {
  event: string;
  data: string;
}

/**
 * Reads a server-sent events stream of the gateway with the session's token. The browser's
 * EventSource cannot send an Authorization header (and the tokens live in sessionStorage, not
 * in a cookie), so the stream is fetched and its frames parsed here: `event:` and `data:` lines
 * up to a blank line make one event; `:` lines are keep-alive comments. Resolves when the server
 * ends the stream; rejects with the API's error when it refuses it.
 */
export async function readServerEvents(path: string, onEvent: (event: ServerEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await session.fetch(new Request(path, { headers: { Accept: "text/event-stream" }, signal }));
  if (!response.ok) throw ApiError.from(response, await response.json().catch(() => undefined));
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = parseFrame(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (frame) onEvent(frame);
      end = buffer.indexOf("\n\n");
    }
  }
}

/** One frame's event (named `message` when it names none), or null for a comment-only frame. */
export function parseFrame(frame: string): ServerEvent | null {
  let event = "message";
  const data: string[] = [];
  for (const line of frame.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length > 0 ? { event, data: data.join("\n") } : null;
}
