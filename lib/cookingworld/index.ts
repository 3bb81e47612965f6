/** CookingWorld (TextWorldExpress) on the real engine: levels, clients, exact search (notes/cookingworld.md). */
export * from "./levels";
export * from "./protocol";
export * from "./engine";
export * from "./sync";
export * from "./search";
