/**
 * The generated blog bench/build.ts builds: N Markdown posts with front matter, a Nunjucks
 * layout and a home page. Deterministic (same N, same files), so runs compare like for like.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

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
<body><main>{{ content | safe }}</main></body>
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

/** Writes the site into `dir` (which must exist or be creatable). */
export async function generateSite(dir: string, posts: number): Promise<void> {
  await mkdir(path.join(dir, "posts"), { recursive: true });
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
