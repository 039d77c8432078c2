package io.raftlog.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BytesTest {
    @Test
    void equalityAndHashCodeAreByContentWhateverTheBacking() {
        Bytes copied = Bytes.copyOf(new byte[] {'a', 'b', 'c'});
        Bytes utf8 = Bytes.ofUtf8("abc");
        Bytes wrappedDirect = Bytes.wrap(
                ByteBuffer.allocateDirect(3).put(new byte[] {'a', 'b', 'c'}).flip());
        Bytes copiedRange = Bytes.copyOf(new byte[] {'x', 'a', 'b', 'c', 'y'}, 1, 3);

        assertThat(copied).isEqualTo(utf8).isEqualTo(wrappedDirect).isEqualTo(copiedRange);
        assertThat(copied.hashCode()).isEqualTo(utf8.hashCode()).isEqualTo(wrappedDirect.hashCode());
        assertThat(copied)
                .isNotEqualTo(Bytes.ofUtf8("abd"))
                .isNotEqualTo(Bytes.ofUtf8("ab"))
                .isNotEqualTo("abc");
    }

    @Test
    void everyWayToMakeNothingIsEqualToEmpty() {
        assertThat(Bytes.copyOf(new byte[0])).isSameAs(Bytes.EMPTY);
        assertThat(Bytes.ofUtf8("")).isSameAs(Bytes.EMPTY);
        assertThat(Bytes.copyOf(ByteBuffer.allocate(0))).isEqualTo(Bytes.EMPTY);
        assertThat(Bytes.wrap(ByteBuffer.allocate(4).position(4))).isEqualTo(Bytes.EMPTY);
        assertThat(Bytes.EMPTY.isEmpty()).isTrue();
        assertThat(Bytes.EMPTY.size()).isZero();
    }

    @Test
    void copyOfDefendsAgainstLaterChangesToTheArray() {
        byte[] array = {1, 2, 3};
        Bytes bytes = Bytes.copyOf(array);
        Bytes range = Bytes.copyOf(array, 0, 2);

        array[0] = 99;

        assertThat(bytes.byteAt(0)).isEqualTo((byte) 1);
        assertThat(range.byteAt(0)).isEqualTo((byte) 1);
    }

    @Test
    void copyOfBufferTakesTheRemainingBytesWithoutMovingThePosition() {
        byte[] array = {1, 2, 3, 4};
        ByteBuffer buffer = ByteBuffer.wrap(array).position(1);

        Bytes bytes = Bytes.copyOf(buffer);
        array[2] = 99;

        assertThat(bytes.toByteArray()).containsExactly(2, 3, 4);
        assertThat(buffer.position()).isEqualTo(1);
    }

    @Test
    void wrapSharesTheBytesButIsReadOnly() {
        byte[] array = {1, 2, 3, 4};
        ByteBuffer buffer = ByteBuffer.wrap(array).position(1);

        Bytes bytes = Bytes.wrap(buffer);
        array[1] = 42;

        assertThat(bytes.size()).isEqualTo(3);
        assertThat(bytes.byteAt(0))
                .as("zero-copy: a change to the backing array shows")
                .isEqualTo((byte) 42);
        assertThat(buffer.position()).isEqualTo(1);
        ByteBuffer view = bytes.asReadOnlyBuffer();
        assertThat(view.isReadOnly()).isTrue();
        assertThatExceptionOfType(ReadOnlyBufferException.class).isThrownBy(() -> view.put(0, (byte) 7));
    }

    @Test
    void viewsAndArraysAreIndependentOfTheInstance() {
        Bytes bytes = Bytes.ofUtf8("abc");

        ByteBuffer view = bytes.asReadOnlyBuffer();
        view.get();
        byte[] array = bytes.toByteArray();
        array[0] = 'z';

        assertThat(bytes.asReadOnlyBuffer().position()).isZero();
        assertThat(bytes.toUtf8()).isEqualTo("abc");
    }

    @Test
    void copyToWritesAllBytesAtThePosition() {
        ByteBuffer target = ByteBuffer.allocate(5).position(1);

        Bytes.ofUtf8("abc").copyTo(target);

        assertThat(target.position()).isEqualTo(4);
        assertThat(target.array()).containsExactly(0, 'a', 'b', 'c', 0);
    }

    @Test
    void copyToWorksFromEitherBackingIntoHeapAndDirectTargets() {
        byte[] content = {'x', 'a', 'b', 'c', 'y'};
        Bytes fromArray = Bytes.copyOf(content, 1, 3);
        Bytes fromBuffer =
                Bytes.wrap(ByteBuffer.allocateDirect(5).put(content).position(1).limit(4));
        for (Bytes bytes : new Bytes[] {fromArray, fromBuffer}) {
            for (ByteBuffer target : new ByteBuffer[] {ByteBuffer.allocate(6), ByteBuffer.allocateDirect(6)}) {
                target.position(2);
                bytes.copyTo(target);
                assertThat(target.position()).isEqualTo(5);
                byte[] written = new byte[3];
                target.get(2, written);
                assertThat(written).containsExactly('a', 'b', 'c');
            }
            assertThat(bytes.toByteArray()).containsExactly('a', 'b', 'c');
            assertThat(bytes.toUtf8()).isEqualTo("abc");
            assertThat(bytes.asReadOnlyBuffer().remaining()).isEqualTo(3);
            assertThat(bytes.asReadOnlyBuffer().get(0)).isEqualTo((byte) 'a');
        }
    }

    @Test
    void copyToRefusesATargetWithoutRoomOrWritesAndLeavesItUntouched() {
        Bytes bytes = Bytes.ofUtf8("abc");
        ByteBuffer small = ByteBuffer.allocate(4).position(2);

        assertThatExceptionOfType(java.nio.BufferOverflowException.class).isThrownBy(() -> bytes.copyTo(small));
        assertThat(small.position()).isEqualTo(2);
        assertThat(small.array()).containsOnly(0);
        assertThatExceptionOfType(java.nio.ReadOnlyBufferException.class)
                .isThrownBy(() -> bytes.copyTo(ByteBuffer.allocate(8).asReadOnlyBuffer()));
    }

    @Test
    void wrapOfAnArrayTakesItWithoutCopying() {
        byte[] handedOver = {'a', 'b'};
        Bytes bytes = Bytes.wrap(handedOver);

        assertThat(bytes).isEqualTo(Bytes.ofUtf8("ab"));
        assertThat(Bytes.wrap(new byte[0])).isSameAs(Bytes.EMPTY);
        assertThatExceptionOfType(ReadOnlyBufferException.class)
                .isThrownBy(() -> bytes.asReadOnlyBuffer().put((byte) 1));
    }

    @Test
    void byteAtOutsideTheBytesThrows() {
        Bytes bytes =
                Bytes.wrap(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}).position(1).limit(3));

        assertThat(bytes.byteAt(1)).isEqualTo((byte) 3);
        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> bytes.byteAt(2));
        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> bytes.byteAt(-1));
    }

    @Test
    void toStringShowsTheSizeAndUpToSixteenBytesInHex() {
        assertThat(Bytes.EMPTY).hasToString("Bytes[0:]");
        assertThat(Bytes.copyOf(new byte[] {0x00, 0x7f, (byte) 0x80, (byte) 0xff}))
                .hasToString("Bytes[4:007f80ff]");
        byte[] seventeen = new byte[17];
        for (int i = 0; i < seventeen.length; i++) {
            seventeen[i] = (byte) i;
        }
        assertThat(Bytes.copyOf(seventeen)).hasToString("Bytes[17:000102030405060708090a0b0c0d0e0f…]");
    }

    @Test
    void toUtf8DecodesWhatOfUtf8Encoded() {
        String text = "héllo, wörld ✓ 𝄞";

        Bytes bytes = Bytes.ofUtf8(text);

        assertThat(bytes.toUtf8()).isEqualTo(text);
        assertThat(bytes.size()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(Bytes.EMPTY.toUtf8()).isEmpty();
    }
}
