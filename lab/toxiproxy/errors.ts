/** An API failure as Toxiproxy reports it: `{"error": message, "status": statusCode}`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Toxiproxy's `joinError`: the generic message, then what exactly was wrong. */
  because(detail: string): ApiError {
    return new ApiError(`${this.message}: ${detail}`, this.statusCode);
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.statusCode };
  }
}

// The messages and codes of Toxiproxy 2.x's api.go, so clients matching on them keep working.
export const ErrBadRequestBody = new ApiError('bad request body', 400);
export const ErrMissingField = new ApiError('missing required field', 400);
export const ErrProxyNotFound = new ApiError('proxy not found', 404);
export const ErrProxyAlreadyExists = new ApiError('proxy already exists', 409);
export const ErrInvalidStream = new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const ErrInvalidToxicType = new ApiError('invalid toxic type', 400);
export const ErrToxicAlreadyExists = new ApiError('toxic already exists', 409);
export const ErrToxicNotFound = new ApiError('toxic not found', 404);
