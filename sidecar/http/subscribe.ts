import { Router } from "express";
import type { Context } from "../context.js";

// Placeholder until its issue lands: mounts no routes.
export function subscribeRoutes(_ctx: Context): Router {
  return Router();
}
