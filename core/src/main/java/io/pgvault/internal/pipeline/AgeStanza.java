package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanza;

import java.util.List;

/** A recipient stanza of an age header: type, arguments and the (decoded) body. */
record AgeStanza(String type, List<String> arguments, byte[] body) implements RecipientStanza {
    AgeStanza {
        arguments = List.copyOf(arguments);
        body = body.clone();
    }

    @Override
    public String getType() {
        return type;
    }

    @Override
    public List<String> getArguments() {
        return arguments;
    }

    @Override
    public byte[] getBody() {
        return body.clone();
    }
}
