/** Component property types for lnlb services. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package lnlb.core.api.propertytypes;
