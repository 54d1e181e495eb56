import { Command } from "commander";
import type { CommandContext } from "../context.ts";

export function bulkCommand(_context: CommandContext): Command {
  return new Command("bulk");
}
