import { readText } from "../files.ts";
import { parseTemplate, type Template } from "./template.ts";

/** Largest template read. */
const MAX_TEMPLATE = 16 * 1024 * 1024;

/** `--template`: a `.json` message description or an `.eml`, read and parsed. */
export async function parseTemplateFile(path: string): Promise<Template> {
  return parseTemplate(path, await readText("--template", path, MAX_TEMPLATE));
}
