/** The sidecar's errors: PageError for browsers, ProtocolError for peers, and the handler answering them. */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.js";
import { html, page } from "./page.js";

/**
 * A failure shown to a person in their browser: which step failed, what happened, what
 * they can do. Routes throw it; the error handler renders it with its status.
 */
export class PageError extends Error {
  override name = "PageError";
  constructor(
    readonly status: number,
    /** Short name of the step that failed, e.g. "no XRDS", shown and logged. */
    readonly step: string,
    readonly title: string,
    readonly detail: string,
    readonly advice: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

/** A failure answered to a machine (a remote OMB service): plain text, a status code. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The page for a PageError; with `siteUrl`, it ends with a link back to the site. */
export function renderPageError(e: PageError, siteUrl?: string): string {
  const back = siteUrl ? html`<p><a href="${siteUrl}">Back to the site</a></p>` : "";
  return page(
    e.title,
    html`<h1>${e.title}</h1><p class="step">Step that failed: ${e.step}</p><p class="error">${e.detail}</p><p>${e.advice}</p>${back}`,
  );
}

export const notFound: RequestHandler = (_req, _res, next) => {
  next(
    new PageError(
      404,
      "not found",
      "Page not found",
      "There is nothing at this address.",
      "Check the link.",
    ),
  );
};

/** Express error middleware: never a stack trace, never a 500 for bad input. */
export function errorHandler(log: Logger, siteUrl?: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ProtocolError) {
      if (err.status >= 500) log.error({ err, path: req.path }, "protocol request failed");
      else
        log.info(
          { status: err.status, path: req.path, reason: err.message },
          "protocol request refused",
        );
      res.status(err.status).type("text/plain").send(err.message);
      return;
    }
    let e: PageError;
    if (err instanceof PageError) e = err;
    else if (err?.type === "entity.too.large" && typeof err.limit === "number") {
      // body-parser's own text ("request entity too large") names neither the limit nor a fix
      e = new PageError(
        413,
        "reading the request",
        "Request too large",
        `The request body is larger than the ${err.limit} bytes accepted at this address.`,
        "Send a smaller request: OMB requests and the forms here are a few kilobytes at most.",
      );
    } else if (typeof err?.status === "number" && err.status >= 400 && err.status < 500) {
      // body-parser and friends: too large, bad encoding, malformed body
      e = new PageError(
        err.status,
        "reading the request",
        "Bad request",
        String(err.message ?? "The request could not be read."),
        "Check what was sent and try again.",
      );
    } else {
      log.error({ err, path: req.path }, "unexpected error");
      e = new PageError(
        500,
        "internal",
        "Something went wrong",
        "The server hit an unexpected error; it has been logged.",
        "Try again later.",
      );
    }
    res.status(e.status).type("html").send(renderPageError(e, siteUrl));
  };
}
