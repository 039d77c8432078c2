package io.raftlog.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftlog.transport.netty.ClientAccess.Permission;
import org.junit.jupiter.api.Test;

class ClientAccessTest {
    @Test
    void rulesNamePrincipalsAndEveryoneElse() {
        ClientAccess access = ClientAccess.parse("producer-1=produce, ops=produce+consume+administer, *=consume");
        assertThat(access.of("producer-1")).containsExactly(Permission.PRODUCE);
        assertThat(access.of("ops")).containsExactlyInAnyOrder(Permission.values());
        assertThat(access.of("someone")).containsExactly(Permission.CONSUME);
        assertThat(access.of(null)).containsExactly(Permission.CONSUME);
    }

    @Test
    void withoutAStarOthersGetNothing() {
        ClientAccess access = ClientAccess.parse("audit=consume,locked=none");
        assertThat(access.of("stranger")).isEmpty();
        assertThat(access.of("locked")).isEmpty();
    }

    @Test
    void theDefaultLetsEveryoneDoEverything() {
        assertThat(ClientAccess.OPEN.of(null)).containsExactlyInAnyOrder(Permission.values());
        assertThat(ClientAccess.OPEN.of("anyone")).containsExactlyInAnyOrder(Permission.values());
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertThatThrownBy(() -> ClientAccess.parse("producer")).hasMessageContaining("NAME=PERMISSIONS");
        assertThatThrownBy(() -> ClientAccess.parse("a=write"))
                .hasMessageContaining("unknown client permission 'write'");
        assertThatThrownBy(() -> ClientAccess.parse("a=produce,a=consume"))
                .hasMessageContaining("client 'a' has two access rules");
    }
}
