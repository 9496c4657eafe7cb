using EventCore.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;

namespace EventCore.Server.Http1;

/// <summary>The connection typed by the app's context: it rents its exchanges from the server's pool for that app.</summary>
internal sealed class Http1Connection<TContext>(ConnectionContext connection, ServiceContext service, ExchangePool<TContext> exchanges)
    : Http1Connection(connection, service)
    where TContext : notnull
{
    protected override Http1Exchange RentExchange() => exchanges.Rent();

    protected override void ReturnExchange(Http1Exchange exchange) => exchanges.Return((Http1Exchange<TContext>)exchange);
}
