export * from "./protocol";
export * from "./metrics";
export * from "./episode";
export * from "./evaluate";
