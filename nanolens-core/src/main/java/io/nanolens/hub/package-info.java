/**
 * Layer 2, beside {@code io}: models and SAEs from the Hugging Face hub. A spec {@code hf:ORG/NAME[@REV][/PATH]}
 * ({@code HubSpec}) becomes a local directory ({@code Hub}) in the cache huggingface_hub uses, laid out as it lays
 * it out ({@code HubCache}: blobs named by etag, snapshots of relative symlinks, refs), so a Python user's
 * downloads are reused and ours serve Python. {@code RepoFiles} decides which files a model or an SAE needs;
 * {@code HubClient} speaks the hub's HTTP (HEAD for metadata, the file list API, redirects to a CDN);
 * {@code BlobDownload} fetches one file resumably and checks its size and sha256. The environment is read once
 * into {@code HubSettings}; progress goes to a {@code DownloadListener}. Uses {@code io.nanolens.io} and
 * {@code java.net.http} only.
 */
package io.nanolens.hub;
