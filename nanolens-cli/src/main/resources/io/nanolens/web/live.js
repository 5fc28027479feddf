"use strict";
/*
 * The live server's data source for the explorer pages: the same atlas and feature JSON the static files
 * hold, fetched from the server's API (see ExplorerServer). Loaded after explorer.js, before the page script.
 */
Nanolens.registerSource("live", () => {
  async function getJson(url) {
    const response = await fetch(url);
    const body = await response.json().catch(() => ({}));
    if (response.status === 404 && url.startsWith("api/features/")) {
      return null;
    }
    if (!response.ok) {
      throw new Error(body.error || (url + " answered " + response.status));
    }
    return body;
  }
  return {
    atlas: () => getJson("api/atlas"),
    feature: (index) => getJson("api/features/" + Number(index)),
  };
});
