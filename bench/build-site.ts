/**
 * The generated blog bench/build.ts builds: N Markdown posts with front matter, a Nunjucks
 * layout (with the interactions shortcodes under each post) and a home page, and an
 * interactions export for half the posts. Deterministic (same N, same files), so runs
 * compare like for like.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  INTERACTIONS_EXPORT_FILE,
  INTERACTIONS_EXPORT_VERSION,
  type InteractionsExport,
} from "../contract/interactions-export.js";
import { postObjectId } from "../protocol/activitypub/post-object.js";

/** The site's URL, as build-run.ts gives it to the plugin. */
export const SITE_URL = "https://blog.example.com/";

const WORDS = (
  "static site federation notice profile bread bicycle wheel spoke starter flour oven " +
  "morning river city market coffee letter garden winter summer window paper travel " +
  "protocol subscriber server build deploy markdown layout feed link short café 東京 🚲"
).split(" ");

function words(seed: number, count: number): string {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(WORDS[x % WORDS.length] ?? "word");
  }
  return out.join(" ");
}

function post(i: number): string {
  const date = new Date(Date.UTC(2015, 0, 1) + i * 3_600_000 * 7).toISOString();
  const title = words(i + 1, 3 + (i % 9)).replace(/^./, (c) => c.toUpperCase());
  const description = i % 2 === 0 ? `description: "${words(i + 7, 12 + (i % 20))}"\n` : "";
  const body = [0, 1, 2, 3]
    .map(
      (p) =>
        `${words(i * 4 + p, 40 + ((i + p) % 30))} *${words(p, 2)}* [link](https://example.org/${i}/${p}).`,
    )
    .join("\n\n");
  return `---\ntitle: "${title} ${i}"\ndate: ${date}\n${description}---\n## ${title}\n\n${body}\n`;
}

const LAYOUT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>{{ content | safe }}
{% federationCounts %}{% federationReplies %}{% federationButtons %}</main></body>
</html>
`;

const HOME = `---
layout: base.njk
title: Home
eleventyImport:
  collections: ["posts"]
---
<ul>{% for post in collections.posts.slice(-20) | reverse %}<li><a href="{{ post.url }}">{{ post.data.title }}</a></li>{% endfor %}</ul>
`;

/** Every other post has two replies (one answering the other), three likes and a boost. */
function interactionsOf(posts: number): InteractionsExport {
  const actor = (n: number) => ({
    id: `https://social.example/users/u${n}`,
    name: `User ${n}`,
    handle: `u${n}@social.example`,
    url: `https://social.example/@u${n}`,
    icon: `https://social.example/avatars/${n}.png`,
  });
  const entries: InteractionsExport["posts"] = [];
  for (let i = 0; i < posts; i += 2) {
    const url = `${SITE_URL}posts/post-${i}/`;
    const objectId = postObjectId(SITE_URL, url).href;
    const reply = (k: number, inReplyTo: string) => ({
      id: `https://social.example/notes/${i}-${k}`,
      url: `https://social.example/@u${k}/${i}`,
      inReplyTo,
      author: actor(k),
      content: `<p>${words(i + k, 25)} <a href="https://example.org/${i}">link</a></p>`,
      published: new Date(Date.UTC(2025, 0, 1, 0, i % 60, k)).toISOString(),
    });
    const first = reply(1, objectId);
    entries.push({
      uri: url,
      url,
      objectId,
      replies: [first, reply(2, first.id)],
      likes: 3,
      boosts: 1,
      likedBy: [actor(3), actor(4), actor(5)],
      boostedBy: [actor(6)],
    });
  }
  return {
    version: INTERACTIONS_EXPORT_VERSION,
    generated: new Date(0).toISOString(),
    posts: entries,
  };
}

/** Writes the site into `dir` (which must exist or be creatable). */
export async function generateSite(dir: string, posts: number): Promise<void> {
  await mkdir(path.join(dir, "posts"), { recursive: true });
  await writeFile(path.join(dir, INTERACTIONS_EXPORT_FILE), JSON.stringify(interactionsOf(posts)));
  await mkdir(path.join(dir, "_includes"), { recursive: true });
  await writeFile(path.join(dir, "_includes", "base.njk"), LAYOUT);
  await writeFile(path.join(dir, "index.njk"), HOME);
  await writeFile(
    path.join(dir, "posts", "posts.json"),
    JSON.stringify({ tags: "posts", layout: "base.njk", permalink: "/posts/{{ page.fileSlug }}/" }),
  );
  const batch = 500;
  for (let start = 0; start < posts; start += batch) {
    const writes: Promise<void>[] = [];
    for (let i = start; i < Math.min(start + batch, posts); i++) {
      writes.push(writeFile(path.join(dir, "posts", `post-${i}.md`), post(i)));
    }
    await Promise.all(writes);
  }
}
