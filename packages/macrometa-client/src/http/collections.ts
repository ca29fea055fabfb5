/**
 * Collections of a fabric: metadata, list, info, count, create, truncate, drop, properties.
 * @packageDocumentation
 */
import { GDN_ERROR_NUM } from "../error-numbers.js";
import { isGdnError } from "../errors.js";
import { type GdnTransport, enc } from "./transport.js";
import type { CollectionInfo, CollectionProperties, CreateCollectionOptions, FabricMetadata } from "./types.js";

export const collectionMethods = {
  /** `GET _api/database/metadata` (idempotent). 404/1228 when the fabric does not exist. */
  async fabricMetadata(this: GdnTransport, signal?: AbortSignal): Promise<FabricMetadata> {
    const body = await this.requestJson<{ result: FabricMetadata }>({ method: "GET", path: this.fabricPath("database/metadata"), retry: "idempotent", signal });
    return body.result;
  },

  /** `GET _api/collection` (idempotent). */
  async listCollections(this: GdnTransport, options: { excludeSystem?: boolean; signal?: AbortSignal } = {}): Promise<CollectionInfo[]> {
    const body = await this.requestJson<{ result: CollectionInfo[] }>({
      method: "GET",
      path: this.fabricPath("collection"),
      query: { excludeSystem: options.excludeSystem ?? true },
      retry: "idempotent",
      signal: options.signal,
    });
    return body.result;
  },

  /** `GET _api/collection/<c>` (idempotent). 404/1203 when missing. */
  async collectionInfo(this: GdnTransport, name: string, signal?: AbortSignal): Promise<CollectionInfo> {
    const body = await this.requestJson<CollectionInfo & { error?: boolean; code?: number }>({
      method: "GET",
      path: this.fabricPath(`collection/${enc(name)}`),
      retry: "idempotent",
      context: { collection: name },
      signal,
    });
    delete body.error;
    delete body.code;
    return body;
  },

  /** The collection's info, or undefined when it does not exist. */
  async findCollection(this: GdnTransport, name: string, signal?: AbortSignal): Promise<CollectionInfo | undefined> {
    try {
      return await collectionMethods.collectionInfo.call(this, name, signal);
    } catch (err) {
      if (isGdnError(err) && err.status === 404 && (err.errorNum === GDN_ERROR_NUM.COLLECTION_NOT_FOUND || err.errorNum === undefined)) return undefined;
      throw err;
    }
  },

  /** `GET _api/collection/<c>/count` (idempotent). The server sends a number (the spec says string). */
  async collectionCount(this: GdnTransport, name: string, signal?: AbortSignal): Promise<number> {
    const body = await this.requestJson<{ count: number | string }>({
      method: "GET",
      path: this.fabricPath(`collection/${enc(name)}/count`),
      retry: "idempotent",
      context: { collection: name },
      signal,
    });
    return Number(body.count);
  },

  /**
   * `POST _api/collection` (refusals only: a lost answer may have created it). A 409 ("duplicate
   * name") after such a retry means our first attempt won; callers that race may treat it as success.
   */
  async createCollection(this: GdnTransport, name: string, options: CreateCollectionOptions = {}, signal?: AbortSignal): Promise<CollectionInfo> {
    const body = await this.requestJson<CollectionInfo>({
      method: "POST",
      path: this.fabricPath("collection"),
      body: JSON.stringify({ name, ...options }),
      retry: "refusals",
      context: { collection: name },
      signal,
    });
    return body;
  },

  /** `PUT _api/collection/<c>/truncate` (idempotent: truncating twice leaves it empty). */
  async truncateCollection(this: GdnTransport, name: string, signal?: AbortSignal): Promise<void> {
    await this.request({ method: "PUT", path: this.fabricPath(`collection/${enc(name)}/truncate`), retry: "idempotent", context: { collection: name }, signal });
  },

  /** `DELETE _api/collection/<c>` (idempotent; a 404 on a retry means the first attempt did it). */
  async dropCollection(this: GdnTransport, name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request({ method: "DELETE", path: this.fabricPath(`collection/${enc(name)}`), retry: "idempotent", context: { collection: name }, signal });
    } catch (err) {
      if (isGdnError(err) && err.status === 404 && (err.retryCount ?? 0) > 0) return;
      throw err;
    }
  },

  /**
   * `PUT _api/collection/<c>/properties` (idempotent: setting a property twice leaves it set), e.g.
   * `{ hasStream: true }` to add a change stream to an existing collection.
   */
  async setCollectionProperties(this: GdnTransport, name: string, properties: CollectionProperties, signal?: AbortSignal): Promise<void> {
    await this.request({
      method: "PUT",
      path: this.fabricPath(`collection/${enc(name)}/properties`),
      body: JSON.stringify(properties),
      retry: "idempotent",
      context: { collection: name },
      signal,
    });
  },
};
