/** One subscribe attempt's overall deadline, applied to every remote fetch it makes. */
import { FetchError, type HttpClient } from "../net/client.js";

/**
 * The shared client seen through one attempt's deadline: a fetch still running when the
 * time is up fails with a "timeout" FetchError (its socket is left to its own limits), and
 * no further fetch is started, so discovery stops at its next step.
 */
export function attemptDeadline(
  http: HttpClient,
  ms: number,
): { http: HttpClient; expired: () => boolean } {
  const endsAt = Date.now() + ms;
  const timedOut = (url: string) =>
    new FetchError("timeout", url, `the subscribe attempt's ${ms / 1000} s are up (${url})`);
  const bounded = <T>(url: string, run: () => Promise<T>): Promise<T> => {
    const left = endsAt - Date.now();
    if (left <= 0) return Promise.reject(timedOut(url));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(timedOut(url)), left);
      run().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  };
  const client = {
    get: (url: string, ...rest: [Record<string, string>?, { followRedirects?: boolean }?]) =>
      bounded(url, () => http.get(url, ...rest)),
    postForm: (url: string, body: string, headers?: Record<string, string>) =>
      bounded(url, () => http.postForm(url, body, headers)),
  };
  // Discovery and the token call use only get and postForm.
  return { http: client as unknown as HttpClient, expired: () => Date.now() >= endsAt };
}
