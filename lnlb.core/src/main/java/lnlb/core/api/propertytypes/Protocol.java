package lnlb.core.api.propertytypes;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Marks a {@code ProtocolModule} component with the IP protocol it serves: {@code @Protocol(6)}
 * becomes the service property {@code lnlb.protocol=6}; {@code 0} is the default handler.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Protocol {
    /** Turns the single element into {@code lnlb.protocol} instead of {@code protocol}. */
    String PREFIX_ = "lnlb.";

    /** IP protocol number served, 0..255; 0 = default handler. */
    int value();
}
