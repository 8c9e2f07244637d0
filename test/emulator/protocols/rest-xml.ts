import { AwsError } from '../core/aws-error';
import { hex } from '../core/ids';
import { Output, ParsedCall, Protocol, RawRequest, RestOutput, HttpResult } from '../core/types';
import { escapeXml, xmlContent } from '../core/xml';

/** Options of a REST-XML service. */
export interface RestXmlOptions {
  readonly xmlNamespace: string;
  /** Decides the action and input from the request (S3's bucket/key/sub-resource routing). */
  readonly route: (req: RawRequest) => ParsedCall;
}

/**
 * The AWS REST-XML protocol (S3): answers are a single root element with flattened lists;
 * errors are `<Error><Code/><Message/>...</Error>` (no body for HEAD requests, like S3).
 */
export class RestXmlProtocol implements Protocol {
  constructor(private readonly options: RestXmlOptions) {}

  parse(req: RawRequest): ParsedCall {
    return this.options.route(req);
  }

  private baseHeaders(requestId: string): Record<string, string> {
    return { 'x-amz-request-id': requestId, 'x-amz-id-2': hex(64) };
  }

  success(_action: string, output: Output, requestId: string): HttpResult {
    const init = output instanceof RestOutput ? output.init : { data: output };
    const headers: Record<string, string> = { ...this.baseHeaders(requestId), ...init.headers };
    let body: Buffer | string = '';
    if (init.raw !== undefined) {
      body = init.raw;
      if (init.contentType) headers['content-type'] = init.contentType;
    } else if (init.data !== undefined && Object.keys(init.data).length > 0) {
      const [root, content] = Object.entries(init.data)[0];
      body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${this.options.xmlNamespace}">` +
        `${xmlContent(content, 'flattened')}</${root}>`;
      headers['content-type'] = 'application/xml';
    }
    return { status: init.status ?? 200, headers, body };
  }

  error(err: AwsError, requestId: string, req: RawRequest): HttpResult {
    const headers = { ...this.baseHeaders(requestId), ...err.headers };
    if (req.method === 'HEAD') return { status: err.status, headers, body: '' };
    let inner = `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>`;
    for (const [k, v] of Object.entries(err.fields)) inner += `<${k}>${escapeXml(v)}</${k}>`;
    inner += `<RequestId>${requestId}</RequestId><HostId>${headers['x-amz-id-2']}</HostId>`;
    return {
      status: err.status,
      headers: { ...headers, 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${inner}</Error>`,
    };
  }
}
