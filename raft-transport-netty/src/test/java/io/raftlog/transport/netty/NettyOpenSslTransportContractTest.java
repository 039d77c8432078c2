package io.raftlog.transport.netty;

/**
 * The transport contract with mutual TLS on OpenSSL (BoringSSL through netty-tcnative, a test
 * dependency here): identities, refusals and back-pressure as with the JDK's provider, and no
 * leaked buffer at the paranoid leak-detection level.
 */
class NettyOpenSslTransportContractTest extends NettyTlsTransportContractTest {
    @Override
    protected TlsConfig.Provider provider() {
        return TlsConfig.Provider.OPENSSL;
    }
}
