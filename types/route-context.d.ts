/**
 * `RouteContext<'/items/[slug]'>`, the global type Next.js 15.5+ declares for route handlers in the
 * file its typegen writes (`.next/types/routes.d.ts`), so a route file written for Next compiles
 * here unchanged:
 *
 *   export async function GET(request: NextRequest, ctx: RouteContext<'/items/[slug]'>) {
 *     const { slug } = await ctx.params // string
 *   }
 *
 * Without `npx route-handlers typegen`, any path is accepted and its params are read from the path
 * itself (`[slug]` a string, `[...parts]` a string array, `[[...parts]]` an optional one). The file
 * typegen writes registers the route folder's own paths: then, as in Next, a path the folder does
 * not serve is an error (TS2344), and params are exactly the route's.
 */
declare namespace __route_handlers_types__ {
  /** Route paths → their params; the file `route-handlers typegen` writes extends it. */
  interface RouteParamMap {}

  /** The paths `RouteContext` accepts: the registered ones after typegen, any before. */
  type RouteHandlerRoute = [keyof RouteParamMap] extends [never] ? string : keyof RouteParamMap & string

  type ParamsOf<Route extends string> = Route extends keyof RouteParamMap
    ? RouteParamMap[Route]
    : string extends Route
      ? Record<string, string | string[] | undefined>
      : Flatten<PathParams<Route>>

  type PathParams<Path extends string> = Path extends `${infer Segment}/${infer Rest}`
    ? SegmentParams<Segment> & PathParams<Rest>
    : SegmentParams<Path>

  type SegmentParams<Segment extends string> = Segment extends `[[...${infer Name}]]`
    ? { [Key in Name]?: string[] }
    : Segment extends `[...${infer Name}]`
      ? { [Key in Name]: string[] }
      : Segment extends `[${infer Name}]`
        ? { [Key in Name]: string }
        : {}

  // One object type rather than an intersection, so editors show `{ slug: string }`.
  type Flatten<T> = { [Key in keyof T]: T[Key] }
}

/**
 * Context for Next.js App Router route handlers.
 *
 * @example
 * export async function GET(request: NextRequest, context: RouteContext<'/api/users/[id]'>) {
 *   const { id } = await context.params
 *   return Response.json({ id })
 * }
 */
interface RouteContext<AppRouteHandlerRoute extends __route_handlers_types__.RouteHandlerRoute> {
  params: Promise<__route_handlers_types__.ParamsOf<AppRouteHandlerRoute>>
}
