/**
 * The wing's Fedify federation: our Store as its KvStore, our guarded client for its
 * fetches, no message queue (posts go through our delivery worker; Follow replies through
 * follow-replies.ts), and the actor, collections, NodeInfo and inbox registered on it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createFederation, type Federation, kvCache } from "@fedify/fedify";
import type { Context } from "../context.js";
import { Blocks } from "../interactions/blocks.js";
import { Interactions } from "../interactions/interactions.js";
import { registerActor } from "./actor.js";
import { registerCollections } from "./collections.js";
import { guardedDocumentLoader } from "./document-loader.js";
import { bridgeFedifyLogs } from "./fedify-log.js";
import { FOLLOWING_PREFIX, FollowReplies } from "./follow-replies.js";
import { FollowRequests } from "./follow-requests.js";
import { ApFollowing } from "./following.js";
import { registerInbox } from "./inbox.js";
import { StoreKvStore } from "./kv-store.js";
import { registerNodeInfo } from "./nodeinfo.js";
import { registerObjects } from "./objects.js";
import { SitePosts } from "./posts.js";
import { postRefs } from "./site-post-ref.js";
import { type ApUrls, apUrls } from "./urls.js";

/** What the wing runs for one sidecar: the federation and the follower-side services. */
export interface ApRuntime {
  federation: Federation<void>;
  urls: ApUrls;
  replies: FollowReplies;
  requests: FollowRequests;
  /** Accounts the site follows: Follow and Undo sent, retried like the replies. */
  following: ApFollowing;
  /** The one-actor sender of those Follows and Undos. */
  followSender: FollowReplies;
  interactions: Interactions;
  blocks: Blocks;
  posts: SitePosts;
  /** Set while Fedify handles one request: an inbox listener of ours that fails marks it. */
  handling: AsyncLocalStorage<{ listenerFailed: boolean }>;
}

/**
 * Mastodon accepts a Date up to 65 minutes old and 60 minutes ahead; Fedify's window is
 * symmetric, so 65 minutes both ways (5 minutes more lenient on future dates).
 */
const SIGNATURE_WINDOW = { minutes: 65 };

export function createApRuntime(ctx: Context): ApRuntime {
  bridgeFedifyLogs(ctx.log);
  const urls = apUrls(ctx.config);
  const kv = new StoreKvStore(ctx.store);
  // Remote documents are cached 5 minutes (Fedify's default), JSON-LD contexts come from
  // Fedify's preloaded set; fetching anything goes through ctx.http (the SSRF guard, which
  // allowPrivateNetworks switches off for tests on loopback).
  // Built once: kvCache compiles URL patterns and durations on every call, and Fedify calls
  // these factories for every request (16% of an inbound activity's time, bench:ap-inbound).
  const cached = kvCache({ loader: guardedDocumentLoader(ctx.http), kv });
  const cachedLoader = () => cached;
  const federation = createFederation<void>({
    kv,
    origin: { handleHost: urls.handleHost, webOrigin: urls.webOrigin },
    documentLoaderFactory: cachedLoader,
    contextLoaderFactory: cachedLoader,
    authenticatedDocumentLoaderFactory: (identity) => guardedDocumentLoader(ctx.http, identity),
    signatureTimeWindow: SIGNATURE_WINDOW,
  });
  const replies = new FollowReplies(ctx, federation);
  const requests = new FollowRequests(ctx, replies);
  registerActor(federation, ctx, urls);
  registerCollections(federation, ctx, urls);
  registerNodeInfo(federation, ctx, urls);
  const posts = new SitePosts(ctx);
  registerObjects(federation, ctx, urls, posts);
  const handling = new AsyncLocalStorage<{ listenerFailed: boolean }>();
  const interactions = new Interactions(ctx);
  const blocks = new Blocks(ctx.store);
  const content = { ctx, interactions, blocks, refs: postRefs(ctx, posts, interactions) };
  registerInbox(federation, { ctx, urls, replies, requests, content, handling });
  const followSender = new FollowReplies(ctx, federation, FOLLOWING_PREFIX);
  const following = new ApFollowing(ctx, federation, followSender);
  return {
    federation,
    urls,
    replies,
    requests,
    following,
    followSender,
    interactions,
    blocks,
    posts,
    handling,
  };
}
