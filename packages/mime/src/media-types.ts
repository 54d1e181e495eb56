const TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  csv: "text/csv",
  ics: "text/calendar",
  md: "text/markdown",
  xml: "application/xml",
  json: "application/json",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  mp4: "video/mp4",
};

/**
 * A media type guessed from a filename's extension; `application/octet-stream` otherwise.
 *
 * @since 0.1.0
 */
export function mediaTypeFor(filename: string | undefined): string {
  if (filename === undefined) return "application/octet-stream";
  const dot = filename.lastIndexOf(".");
  if (dot < 0) return "application/octet-stream";
  return TYPES[filename.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
