// TypeDoc plugin: names each entry point's module after its package ("@smtp/client",
// "@smtp/core/replay") instead of its folder ("client/src").
import { Converter, ReflectionKind } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([\w-]+)\/src(?:\/(.+))?$/.exec(module.name);
      if (match) module.name = `@smtp/${match[1]}${match[2] ? `/${match[2]}` : ""}`;
    }
  });
}
