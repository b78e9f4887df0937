/** Reads one line from a terminal without echoing it (for passwords). */

/** What a terminal input needs to offer; `process.stdin` on a TTY does. */
export interface HiddenInput extends NodeJS.ReadableStream {
  setRawMode?(mode: boolean): unknown;
}

export class InputCancelled extends Error {}

/**
 * Writes `prompt` to `output`, then reads keys from `input` in raw mode until Enter, showing
 * nothing: Backspace removes the last character, Ctrl-C or Ctrl-D on an empty line cancels
 * (InputCancelled), other control characters are ignored. Raw mode is always restored.
 */
export function readHiddenLine(
  input: HiddenInput,
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let line = "";
    const finish = (error: Error | null) => {
      input.removeListener("data", onData);
      input.setRawMode?.(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(null);
        if (ch === "\u0003" || (ch === "\u0004" && line === "")) {
          return finish(new InputCancelled("cancelled"));
        }
        if (ch === "\u007f" || ch === "\b") line = [...line].slice(0, -1).join("");
        else if (ch >= " ") line += ch;
      }
    };
    input.on("data", onData);
  });
}
