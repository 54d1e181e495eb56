import { describe, expect, it } from "vitest";
import { mediaTypeFor } from "./media-types.ts";

describe("mediaTypeFor", () => {
  it.each([
    ["notes.txt", "text/plain"],
    ["page.html", "text/html"],
    ["page.htm", "text/html"],
    ["style.css", "text/css"],
    ["table.csv", "text/csv"],
    ["invite.ics", "text/calendar"],
    ["README.md", "text/markdown"],
    ["feed.xml", "application/xml"],
    ["data.json", "application/json"],
    ["report.pdf", "application/pdf"],
    ["bundle.zip", "application/zip"],
    ["logs.gz", "application/gzip"],
    ["letter.doc", "application/msword"],
    ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["sheet.xls", "application/vnd.ms-excel"],
    ["sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["slides.ppt", "application/vnd.ms-powerpoint"],
    ["slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"],
    ["letter.odt", "application/vnd.oasis.opendocument.text"],
    ["photo.png", "image/png"],
    ["photo.jpg", "image/jpeg"],
    ["photo.jpeg", "image/jpeg"],
    ["anim.gif", "image/gif"],
    ["photo.webp", "image/webp"],
    ["logo.svg", "image/svg+xml"],
    ["favicon.ico", "image/x-icon"],
    ["song.mp3", "audio/mpeg"],
    ["sound.wav", "audio/wav"],
    ["clip.mp4", "video/mp4"],
  ])("%s is %s", (filename, type) => {
    expect(mediaTypeFor(filename)).toBe(type);
  });

  it("goes by the last extension, in any case", () => {
    expect(mediaTypeFor("archive.tar.GZ")).toBe("application/gzip");
    expect(mediaTypeFor("PHOTO.JPG")).toBe("image/jpeg");
    // A leading dot is still an extension: ".html" is an HTML file with no base name.
    expect(mediaTypeFor(".html")).toBe("text/html");
  });

  it("falls back to application/octet-stream", () => {
    expect(mediaTypeFor(undefined)).toBe("application/octet-stream");
    expect(mediaTypeFor("Makefile")).toBe("application/octet-stream");
    // A name without a dot has no extension, even when the whole name is one.
    expect(mediaTypeFor("pdf")).toBe("application/octet-stream");
    expect(mediaTypeFor("file.unknownext")).toBe("application/octet-stream");
    expect(mediaTypeFor("trailing.")).toBe("application/octet-stream");
  });
});
