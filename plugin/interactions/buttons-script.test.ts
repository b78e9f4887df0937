/**
 * The buttons' script run in a node:vm context with a stand-in page (a form, its buttons,
 * localStorage, location) and a stand-in fetch for the visitor's instance: where each button
 * sends the visitor, and what it does when WebFinger fails or the handle is not one.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import vm from "node:vm";
import { BUTTONS_SCRIPT, HANDLE_STORAGE_KEY } from "./buttons-script.js";

const OBJECT = "https://fed.alice.example/ap/posts/0123456789abcdef0123456789abcdef";
const ACTOR = "https://fed.alice.example/ap/users/alice";
const SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe";

type Listener = (event: { preventDefault(): void; submitter?: unknown }) => void;

class FakeButton {
  constructor(readonly action: string) {}
  getAttribute(name: string) {
    return name === "data-federation-action" ? this.action : null;
  }
}

class FakeForm {
  readonly attributes = new Map<string, string>([
    ["data-federation-object", OBJECT],
    ["data-federation-actor", ACTOR],
  ]);
  readonly listeners: Record<string, Listener[]> = {};
  readonly input = {
    value: "",
    focused: false,
    focus() {
      this.focused = true;
    },
  };
  readonly status = { textContent: "" };
  readonly buttons = ["reply", "like", "boost", "follow"].map((a) => new FakeButton(a));
  submitted = 0;
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  querySelector(selector: string) {
    if (selector.includes("profile_url")) return this.input;
    return selector.includes("status") ? this.status : null;
  }
  addEventListener(type: string, fn: Listener) {
    this.listeners[type] = [...(this.listeners[type] ?? []), fn];
  }
  submit() {
    this.submitted++;
  }
  /** A click on the button for `action`: every button submits the form, naming itself. */
  press(action: string) {
    const submitter = this.buttons.find((b) => b.action === action);
    for (const fn of this.listeners.submit ?? []) fn({ preventDefault() {}, submitter });
  }
  /** Enter in the handle field: a submit without a submitter button. */
  enter() {
    for (const fn of this.listeners.submit ?? []) fn({ preventDefault() {} });
  }
}

interface Page {
  form: FakeForm;
  storage: Map<string, string>;
  assigned: string[];
  fetched: string[];
  run(): void;
}

/** What the visitor's instance answers to WebFinger: a JRD, a status, or a network failure. */
let answer: { status: number; body: unknown } | "fail";
let page: Page;

function newPage(stored?: string): Page {
  const form = new FakeForm();
  const storage = new Map<string, string>(stored ? [[HANDLE_STORAGE_KEY, stored]] : []);
  const assigned: string[] = [];
  const fetched: string[] = [];
  const context = vm.createContext({
    URL,
    AbortSignal,
    window: {
      localStorage: {
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => void storage.set(k, v),
      },
      location: { assign: (url: string) => void assigned.push(url) },
    },
    document: { querySelectorAll: () => [form] },
    fetch: async (url: string) => {
      fetched.push(url);
      if (answer === "fail") throw new TypeError("Failed to fetch");
      const { status, body } = answer;
      return { ok: status === 200, json: async () => body };
    },
  });
  return {
    form,
    storage,
    assigned,
    fetched,
    run: () => vm.runInContext(BUTTONS_SCRIPT, context),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const jrd = (template: string) => ({
  status: 200,
  body: { subject: "acct:bob@social.example", links: [{ rel: SUBSCRIBE, template }] },
});

beforeEach(() => {
  answer = jrd("https://social.example/authorize_interaction?uri={uri}");
  page = newPage();
  page.run();
});

describe("the buttons' script", () => {
  it("fills in the handle typed last time", () => {
    const again = newPage("@bob@social.example");
    again.run();
    assert.equal(again.form.input.value, "@bob@social.example");
  });

  it("sends Like to the instance's subscribe template filled with the post's object id", async () => {
    page.form.input.value = " bob@Social.Example ";
    page.form.press("like");
    await settle();
    assert.deepEqual(page.fetched, [
      "https://social.example/.well-known/webfinger?resource=acct%3Abob%40social.example",
    ]);
    assert.deepEqual(page.assigned, [
      `https://social.example/authorize_interaction?uri=${encodeURIComponent(OBJECT)}`,
    ]);
    assert.equal(page.storage.get(HANDLE_STORAGE_KEY), "@bob@social.example");
  });

  it("sends Follow (a click or Enter) to the template filled with the site's actor", async () => {
    answer = jrd("https://social.example/follow?acct={uri}");
    page.form.input.value = "@bob@social.example";
    page.form.press("follow");
    await settle();
    page.form.enter();
    await settle();
    assert.deepEqual(page.assigned, [
      `https://social.example/follow?acct=${encodeURIComponent(ACTOR)}`,
      `https://social.example/follow?acct=${encodeURIComponent(ACTOR)}`,
    ]);
    assert.equal(page.form.submitted, 0);
  });

  it("falls back to authorize_interaction, and Follow to the sidecar's form, without a template", async () => {
    for (const failing of ["fail", { status: 404, body: {} }, jrd("javascript:alert({uri})")]) {
      answer = failing as typeof answer;
      page = newPage();
      page.run();
      page.form.input.value = "@bob@social.example";
      page.form.press("reply");
      page.form.press("boost"); // ignored: the first is still asking
      await settle();
      assert.deepEqual(page.assigned, [
        `https://social.example/authorize_interaction?uri=${encodeURIComponent(OBJECT)}`,
      ]);
      page.form.press("follow");
      await settle();
      assert.equal(page.form.submitted, 1, "Follow submits the form to the sidecar");
      assert.equal(page.assigned.length, 1);
    }
  });

  it("asks for a handle instead of going anywhere when what was typed is none", async () => {
    for (const typed of [
      "",
      "bob",
      "https://social.example/@bob",
      "@bob@localhost@x",
      "@bob@nodot",
    ]) {
      page.form.input.value = typed;
      page.form.press("boost");
      await settle();
      assert.match(page.form.status.textContent, /@you@your\.instance/, typed);
    }
    assert.deepEqual(page.fetched, []);
    assert.deepEqual(page.assigned, []);
    assert.ok(page.form.input.focused);
    assert.equal(page.storage.size, 0);
  });

  it("binds each form once, however many times the script runs", async () => {
    page.run();
    page.form.input.value = "@bob@social.example";
    page.form.press("like");
    await settle();
    assert.equal(page.fetched.length, 1);
    assert.equal(page.form.listeners.submit?.length, 1);
  });
});
